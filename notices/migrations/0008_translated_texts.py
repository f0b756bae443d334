"""Admin-entered texts in the seven citizen languages (django-modeltranslation, issue 19):
one column per language; the English column keeps its texts, the Japanese is copied
into <field>_ja (organization/translated_migration.py)."""

from django.db import migrations, models

from organization.translated_migration import runner

TEXTS = {'certificatetype': ['name']}


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0007_booking_match_release'),
    ]

    operations = [
        migrations.AddField(
            model_name='certificatetype',
            name='name_ja',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='certificatetype',
            name='name_ja_easy',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='certificatetype',
            name='name_ko',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='certificatetype',
            name='name_pt_br',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='certificatetype',
            name='name_vi',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='certificatetype',
            name='name_zh_hans',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='certificatetype',
            name='name',
            field=models.CharField(max_length=120, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='certificatetype',
            name='name_en',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.RunPython(*runner('notices', TEXTS)),
    ]
