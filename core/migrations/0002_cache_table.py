"""The database cache's table, created by `migrate` itself.

Without Redis the cache is Django's DatabaseCache (config/settings/base.py); its table used to exist only
after `manage.py createcachetable`, so a plain `migrate` then `runserver` answered 500 on every sign-in
(the login lockout reads the cache). createcachetable is idempotent and does nothing for other caches."""
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
