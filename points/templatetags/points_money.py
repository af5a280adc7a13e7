from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """An amount kept in fen, shown in yuan to the fen: 123456 → 1,234.56."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"
