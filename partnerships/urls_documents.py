from django.urls import path

from . import views_documents

urlpatterns = [
    path(
        "agreements/<int:agreement_id>/documents/",
        views_documents.document_list,
        name="document_list",
    ),
    path("documents/<int:document_id>/", views_documents.document_detail, name="document_detail"),
    path(
        "documents/<int:document_id>/delete/",
        views_documents.document_delete,
        name="document_delete",
    ),
    path(
        "documents/<int:document_id>/files/<int:file_id>/",
        views_documents.document_download,
        name="document_download",
    ),
]
