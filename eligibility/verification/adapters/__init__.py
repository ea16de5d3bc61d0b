"""Adapters to data sources, one interface (``Adapter.send``); which one a source uses, and
where it lives, is the source's configuration (``DataSource.adapter`` and ``config``)."""

from __future__ import annotations

from .base import Adapter, SourceUnavailable
from .dci import DciHttpAdapter
from .files import FileExchangeAdapter

ADAPTERS: dict[str, type[Adapter]] = {"file": FileExchangeAdapter, "http": DciHttpAdapter}


def adapter_for(source) -> Adapter:
    return ADAPTERS[source.adapter](source)


__all__ = ["ADAPTERS", "Adapter", "SourceUnavailable", "adapter_for"]
