"""``prices load FILE [--provider aws|azure]``, ``prices list``, ``prices remove ID``."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from iac.estimate import InputError
from portal.finops.estimates import price_catalogs
from portal.finops.models import PriceList
from portal.finops.price_books import book_prices
from portal.finops.price_lists import LOADERS, load_price_list, loaded_origins


class Command(BaseCommand):
    help = (
        "Load an official price list downloaded for offline use (AWS Price List offer JSON, "
        "Azure retail prices JSON), list the catalogs estimates use, or remove a loaded list."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="Store a price list; it wins over the shipped one.")
        load.add_argument("file")
        load.add_argument(
            "--provider", choices=sorted(LOADERS), help="Default: detected from the file."
        )
        actions.add_parser("list", help="The catalogs in use, first match wins, with sources.")
        remove = actions.add_parser("remove", help="Forget a loaded price list.")
        remove.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _load(self, file, provider, **options):
        try:
            price_list = load_price_list(file, provider)
        except InputError as error:
            raise CommandError(f"{error} (nothing stored)") from None
        self.stdout.write(
            f"Loaded {price_list.price_count} prices as price list {price_list.pk}: "
            f"{price_list.name}, {price_list.date}, from {price_list.source}"
        )

    def _list(self, **options):
        catalogs = price_catalogs()
        lists = {price_list.pk: price_list for price_list in PriceList.objects.defer("catalog")}
        origins = loaded_origins()
        self.stdout.write("Catalogs in the order estimates search them (first price wins):")
        for catalog in catalogs:
            origin = lists.get(origins.get(id(catalog)))
            tag = f"loaded #{origin.pk} from {origin.file_name}" if origin else "plugin"
            self.stdout.write(
                f"  {catalog.provider:<9} {catalog.name:<40} {catalog.date:<10} "
                f"{catalog.currency}  {catalog.source}  [{tag}]"
            )
        book = book_prices()
        self.stdout.write(
            f"  {'onprem':<9} {'price book':<40} {book.date:<10} {book.currency}  "
            f"{book.vcpu_hour}/vCPU-hour, {book.memory_gb_hour}/GB-hour, "
            f"{book.storage_gb_month}/GB-month, {book.country}  [portal]"
        )

    def _remove(self, id, **options):
        with transaction.atomic():
            deleted, _ = PriceList.objects.filter(pk=id).delete()
        if not deleted:
            raise CommandError(f"no loaded price list {id} (see `prices list`)")
        self.stdout.write(f"Removed price list {id}.")
