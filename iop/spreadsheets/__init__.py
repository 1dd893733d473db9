"""The spreadsheet engine: CSV/XLSX import and export for the datasets apps register.

registry.py  Dataset, register(), datasets(), get_dataset(); finds each app's datasets.py
resources.py IopResource and the widgets every app's resources build on
engine.py    upload checks, preview, the import itself, exports, the background task
views.py     the pages (urls.py, mounted from iop/urls.py); templates in templates/io/
"""
