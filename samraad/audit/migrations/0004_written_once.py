"""On PostgreSQL the database itself refuses to change or delete an audit entry, whatever the
application (or anyone holding its database login) sends: a trigger raises before the row is
touched. SQLite, a trial's database, relies on the model's refusals alone.

One change is let through: when a staff account is deleted, Django sets `actor_id` and
`person_id` to NULL in the entries that name it (ON DELETE SET NULL, sent as an UPDATE). The
entry keeps who it was in `actor_name` and `subject_label`, and nothing else may change with it.

TRUNCATE is not blocked: it is no row change the application makes (the retention purge deletes
words, never audit entries), and the test suite empties every table with TRUNCATE between
transactional tests. A login that owns the table can also drop the trigger; docs/security.md says
how an installation keeps the application's login from owning it.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_entry_written_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
        AND (NEW.person_id IS NULL OR NEW.person_id IS NOT DISTINCT FROM OLD.person_id)
        AND to_jsonb(NEW) - 'actor_id' - 'person_id' = to_jsonb(OLD) - 'actor_id' - 'person_id'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are never changed or deleted (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_entry_written_once
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_written_once();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_written_once ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_written_once();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_fill_person")]

    operations = [migrations.RunPython(install, remove)]
