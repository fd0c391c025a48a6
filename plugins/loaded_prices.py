"""Offers the official price lists an operator loaded with ``python manage.py prices
load`` ahead of the catalogs shipped with Plateau (which the ``pricing`` plugin offers
last), so a freshly downloaded list wins over the transcribed one."""

from portal.hookspecs import hookimpl


@hookimpl
def plateau_price_catalogs():
    from portal.finops.price_lists import loaded_catalogs

    return loaded_catalogs()
