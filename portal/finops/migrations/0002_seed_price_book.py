from django.db import migrations


def seed(apps, schema_editor):
    from portal.finops.price_books import seed_fields

    PriceBook = apps.get_model("finops", "PriceBook")
    if not PriceBook.objects.exists():
        PriceBook.objects.create(**seed_fields())


class Migration(migrations.Migration):
    dependencies = [("finops", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
