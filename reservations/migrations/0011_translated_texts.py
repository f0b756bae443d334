"""Admin-entered texts in the seven citizen languages (django-modeltranslation, issue 19):
one column per language; the English column keeps its texts, the Japanese is copied
into <field>_ja (organization/translated_migration.py)."""

from django.db import migrations, models

from organization.translated_migration import runner

TEXTS = {'procedure': ['name', 'description'], 'documentrule': ['text'], 'counter': ['name', 'location'], 'closedday': ['reason']}


from config.db_guards import guard_operations  # noqa: E402

# The rule's wording in every language: a change to any of them is a new version (a
# consent records the version agreed to, in whatever language it was shown). The old
# trigger goes first: moving empty English texts to NULL must not number new versions
# of rules whose wording did not change.
_create_old, _drop_old = guard_operations("document_rule_new_version_0008")
_create_new, _drop_new = guard_operations("document_rule_new_version")


class Migration(migrations.Migration):

    dependencies = [
        ('reservations', '0010_merge_calendar_uid'),
    ]

    operations = [
        migrations.RunPython(_drop_old, _create_old),
        migrations.AddField(
            model_name='closedday',
            name='reason_ja',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='closedday',
            name='reason_ja_easy',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='closedday',
            name='reason_ko',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='closedday',
            name='reason_pt_br',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='closedday',
            name='reason_vi',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='closedday',
            name='reason_zh_hans',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='counter',
            name='location_ja',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='counter',
            name='location_ja_easy',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='counter',
            name='location_ko',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='counter',
            name='location_pt_br',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='counter',
            name='location_vi',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='counter',
            name='location_zh_hans',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='counter',
            name='name_ja',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='counter',
            name='name_ja_easy',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='counter',
            name='name_ko',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='counter',
            name='name_pt_br',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='counter',
            name='name_vi',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='counter',
            name='name_zh_hans',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='documentrule',
            name='text_ja',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='documentrule',
            name='text_ja_easy',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='documentrule',
            name='text_ko',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='documentrule',
            name='text_pt_br',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='documentrule',
            name='text_vi',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='documentrule',
            name='text_zh_hans',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='description_ja',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='description_ja_easy',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='description_ko',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='description_pt_br',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='description_vi',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='description_zh_hans',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='name_ja',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='name_ja_easy',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='name_ko',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='name_pt_br',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='name_vi',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='procedure',
            name='name_zh_hans',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='closedday',
            name='reason',
            field=models.CharField(max_length=120, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='closedday',
            name='reason_en',
            field=models.CharField(max_length=120, null=True, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='counter',
            name='location',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, verbose_name='location'),
        ),
        migrations.AlterField(
            model_name='counter',
            name='location_en',
            field=models.CharField(blank=True, help_text="Where citizens find it, e.g. 本庁舎1階. Empty: the department's location.", max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AlterField(
            model_name='counter',
            name='name',
            field=models.CharField(max_length=60, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='counter',
            name='name_en',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='documentrule',
            name='text',
            field=models.TextField(verbose_name='rule'),
        ),
        migrations.AlterField(
            model_name='documentrule',
            name='text_en',
            field=models.TextField(null=True, verbose_name='rule'),
        ),
        migrations.AlterField(
            model_name='procedure',
            name='description',
            field=models.TextField(blank=True, verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='procedure',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='procedure',
            name='name',
            field=models.CharField(max_length=120, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='procedure',
            name='name_en',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.RunPython(*runner('reservations', TEXTS)),
        migrations.RunPython(_create_new, _drop_new),
    ]
