"""Admin-entered texts in the seven citizen languages (django-modeltranslation, issue 19):
one column per language; the English column keeps its texts, the Japanese is copied
into <field>_ja (organization/translated_migration.py)."""

import organization.models
from django.db import migrations, models

from organization.translated_migration import runner

TEXTS = {'department': ['name', 'location'], 'sitesettings': ['city_name', 'address', 'opening_hours', 'privacy_notice', 'accessibility_statement']}


class Migration(migrations.Migration):

    dependencies = [
        ('organization', '0005_site_settings_contact_defaults'),
    ]

    operations = [
        migrations.AddField(
            model_name='department',
            name='location_ja',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='department',
            name='location_ja_easy',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='department',
            name='location_ko',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='department',
            name='location_pt_br',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='department',
            name='location_vi',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='department',
            name='location_zh_hans',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_ja',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_ja_easy',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_ko',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_pt_br',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_vi',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='accessibility_statement_ja',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='accessibility_statement_ja_easy',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='accessibility_statement_ko',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='accessibility_statement_pt_br',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='accessibility_statement_vi',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='accessibility_statement_zh_hans',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='address_ja',
            field=models.CharField(blank=True, default=organization.models.default_city_address, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='address_ja_easy',
            field=models.CharField(blank=True, default=None, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='address_ko',
            field=models.CharField(blank=True, default=None, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='address_pt_br',
            field=models.CharField(blank=True, default=None, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='address_vi',
            field=models.CharField(blank=True, default=None, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='address_zh_hans',
            field=models.CharField(blank=True, default=None, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='city_name_ja',
            field=models.CharField(default=organization.models.default_city_name, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='city_name_ja_easy',
            field=models.CharField(default=None, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='city_name_ko',
            field=models.CharField(default=None, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='city_name_pt_br',
            field=models.CharField(default=None, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='city_name_vi',
            field=models.CharField(default=None, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='city_name_zh_hans',
            field=models.CharField(default=None, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='opening_hours_ja',
            field=models.CharField(blank=True, default=organization.models.default_opening_hours, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='opening_hours_ja_easy',
            field=models.CharField(blank=True, default=None, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='opening_hours_ko',
            field=models.CharField(blank=True, default=None, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='opening_hours_pt_br',
            field=models.CharField(blank=True, default=None, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='opening_hours_vi',
            field=models.CharField(blank=True, default=None, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='opening_hours_zh_hans',
            field=models.CharField(blank=True, default=None, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='privacy_notice_ja',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='privacy_notice_ja_easy',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='privacy_notice_ko',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='privacy_notice_pt_br',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='privacy_notice_vi',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='privacy_notice_zh_hans',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.AlterField(
            model_name='department',
            name='location',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, verbose_name='location'),
        ),
        migrations.AlterField(
            model_name='department',
            name='location_en',
            field=models.CharField(blank=True, help_text='e.g. 本庁舎1階', max_length=200, null=True, verbose_name='location'),
        ),
        migrations.AlterField(
            model_name='department',
            name='name',
            field=models.CharField(max_length=100, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='department',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='accessibility_statement',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', verbose_name='accessibility statement'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='accessibility_statement_en',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Paragraphs are separated by an empty line.', null=True, verbose_name='accessibility statement'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='address',
            field=models.CharField(blank=True, default=organization.models.default_city_address, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, verbose_name='address'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='address_en',
            field=models.CharField(blank=True, default=None, help_text="The city hall's postal address, printed on letters and shown in the footer.", max_length=200, null=True, verbose_name='address'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='city_name',
            field=models.CharField(default=organization.models.default_city_name, max_length=100, verbose_name='city name'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='city_name_en',
            field=models.CharField(default=None, max_length=100, null=True, verbose_name='city name'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='opening_hours',
            field=models.CharField(blank=True, default=organization.models.default_opening_hours, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, verbose_name='opening hours'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='opening_hours_en',
            field=models.CharField(blank=True, default=organization.models.default_opening_hours_en, help_text='e.g. 平日 8時30分〜17時15分（土日祝日・年末年始を除く）', max_length=200, null=True, verbose_name='opening hours'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='privacy_notice',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', verbose_name='privacy notice'),
        ),
        migrations.AlterField(
            model_name='sitesettings',
            name='privacy_notice_en',
            field=models.TextField(blank=True, help_text='Empty: the standard text. Replaces the purpose of use, what is stored, who sees it, third parties and how to ask for disclosure; the retention periods (from the settings) and the contact are always shown. Paragraphs are separated by an empty line.', null=True, verbose_name='privacy notice'),
        ),
        migrations.RunPython(*runner('organization', TEXTS)),
    ]
