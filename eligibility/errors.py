from applicants.errors import DomainError


class EligibilityError(DomainError):
    pass


class StandardsMissing(EligibilityError):
    """No standard was in force on the date asked for (SPEC §11: a date before any standard)."""
