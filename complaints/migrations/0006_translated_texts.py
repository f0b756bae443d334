"""Admin-entered texts in the seven citizen languages (django-modeltranslation, issue 19):
one column per language; the English column keeps its texts, the Japanese is copied
into <field>_ja (organization/translated_migration.py)."""

from django.db import migrations, models

from organization.translated_migration import runner

TEXTS = {'severitylevel': ['name'], 'category': ['name']}


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0005_knowledge_search_and_fiscal_numbers'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='name_ja',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_ja_easy',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_ko',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_pt_br',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_vi',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_zh_hans',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitylevel',
            name='name_ja',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitylevel',
            name='name_ja_easy',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitylevel',
            name='name_ko',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitylevel',
            name='name_pt_br',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitylevel',
            name='name_vi',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitylevel',
            name='name_zh_hans',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='category',
            name='name',
            field=models.CharField(max_length=60, unique=True, verbose_name='name'),
        ),
        # Nullable first, so the empty English names become NULL before they must be
        # unique (two categories without an English name are not a duplicate).
        migrations.AlterField(
            model_name='category',
            name='name_en',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='severitylevel',
            name='name_en',
            field=models.CharField(max_length=60, null=True, verbose_name='name'),
        ),
        migrations.RunPython(*runner('complaints', TEXTS)),
        migrations.AlterField(
            model_name='category',
            name='name_en',
            field=models.CharField(max_length=60, null=True, unique=True, verbose_name='name'),
        ),
    ]
