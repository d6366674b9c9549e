from django.db import migrations

# Related artifacts read the first artifacts of each of a page's categories in id order: with
# this index that is a short index-only range however large the category is (the plain
# category_id index keeps each category's rows in table order, so it sorts all of them).
INDEX = "catalog_artifact_categories_category_artifact"


class Migration(migrations.Migration):
    # Built without blocking writes to the catalog on a live database.
    atomic = False

    dependencies = [
        ("catalog", "0014_listing_orders_cover_their_ids"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON catalog_artifact_categories (category_id, artifact_id)",
            f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
        ),
    ]
