"""`prices load|list|remove`: official price lists, in their real formats (small files),
stored and offered ahead of the shipped catalogs; bad files store nothing."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from iac.estimate import catalog_to_dict, load_aws_offer, read_plan
from iac.estimate.catalog import catalog_from_dict
from portal.audit.models import AuditEvent
from portal.finops.estimates import estimate_projects, price_catalogs
from portal.finops.models import PriceList
from tests.iac.estimate.conftest import aws_region, change, plan
from tests.iac.estimate.test_pricelists import _item, _product, _term


def aws_offer(tmp_path, price="0.5000000000", name="AmazonEC2-eu-west-3.json"):
    offer = {
        "formatVersion": "v1.0",
        "offerCode": "AmazonEC2",
        "version": "20260101000000",
        "publicationDate": "2026-01-02T00:00:00Z",
        "products": {
            "A": _product("A", "t3.micro"),
            "B": _product("B", "t3.micro", operatingSystem="Windows"),
        },
        "terms": {"OnDemand": {"A": _term("A", price), "B": _term("B", "9")}},
    }
    path = tmp_path / name
    path.write_text(json.dumps(offer))
    return path


def prices(*args) -> str:
    out = StringIO()
    call_command("prices", *args, stdout=out)
    return out.getvalue()


def t3_micro_monthly_cost() -> Decimal:
    project = read_plan(
        plan(
            change("aws_instance.web", {"instance_type": "t3.micro"}),
            provider_config=aws_region("eu-west-3"),
        )
    )
    resource = estimate_projects(project).to_dict()["projects"][0]["breakdown"]["resources"][0]
    instance = resource["costComponents"][0]
    assert instance["name"].startswith("Instance usage")
    return Decimal(instance["monthlyCost"])


def test_a_loaded_aws_offer_wins_over_the_shipped_catalog(db, tmp_path):
    shipped = t3_micro_monthly_cost()
    path = aws_offer(tmp_path)

    output = prices("load", str(path))

    assert "Loaded 1 prices as price list" in output
    stored = PriceList.objects.get()
    assert (stored.provider, stored.file_name, stored.date) == (
        "aws",
        path.name,
        "2026-01-02",
    )
    assert t3_micro_monthly_cost() == Decimal("0.5") * 730 != shipped
    assert price_catalogs()[0].name == stored.name
    listing = prices("list")
    first = listing.splitlines()[1]
    assert f"loaded #{stored.pk} from {path.name}" in first
    assert "2026-01-02" in first and "pricing.us-east-1.amazonaws.com" in first
    assert "[plugin]" in listing and "price book" in listing
    assert AuditEvent.objects.filter(object_type="finops.pricelist", action="create").exists()


def test_loading_the_same_file_again_replaces_it_and_remove_forgets_it(db, tmp_path):
    prices("load", str(aws_offer(tmp_path, "0.5")))
    prices("load", str(aws_offer(tmp_path, "0.25")), "--provider", "aws")
    assert PriceList.objects.count() == 1
    assert t3_micro_monthly_cost() == Decimal("0.25") * 730

    prices("remove", str(PriceList.objects.get().pk))
    assert not PriceList.objects.exists()
    assert t3_micro_monthly_cost() != Decimal("0.25") * 730
    with pytest.raises(CommandError, match="no loaded price list 999"):
        prices("remove", "999")


def test_an_azure_retail_prices_page_is_detected_and_loaded(db, tmp_path):
    path = tmp_path / "azure-page1.json"
    path.write_text(
        json.dumps({"Items": [_item("Standard_D2as_v5", "westeurope", 0.103)], "Count": 1})
    )

    prices("load", str(path))

    stored = PriceList.objects.get()
    assert stored.provider == "azure"
    catalog = catalog_from_dict(stored.catalog)
    price = catalog.lookup("virtual_machine", "westeurope", "Standard_D2as_v5")
    assert price.amount == Decimal("0.103")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"offerCode": "AmazonEC2", "products": {', "offer.json:1:"),
        ('{"offerCode": "AmazonEC2", "products": {}}', "not an AWS offer file"),
        ('{"something": "else"}', "cannot tell the format"),
        ('{"Items": [{"type": "Reservation"}]}', "no on-demand Linux compute price"),
    ],
)
def test_bad_files_name_the_file_and_store_nothing(db, tmp_path, content, message):
    path = tmp_path / "offer.json"
    path.write_text(content)
    with pytest.raises(CommandError) as raised:
        prices("load", str(path))
    assert message in str(raised.value)
    assert str(path) in str(raised.value)
    assert "nothing stored" in str(raised.value)
    assert not PriceList.objects.exists()


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.json: no such file"):
        prices("load", str(tmp_path / "missing.json"))


def test_catalogs_survive_storage_unchanged(tmp_path):
    catalog = load_aws_offer(aws_offer(tmp_path))
    again = catalog_from_dict(catalog_to_dict(catalog))
    assert again.prices == catalog.prices
    assert again.machines == catalog.machines
    assert (again.provider, again.currency, again.source, again.date, again.name) == (
        catalog.provider,
        catalog.currency,
        catalog.source,
        catalog.date,
        catalog.name,
    )
