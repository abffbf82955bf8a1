from django.urls import path

from pages.payments import views

urlpatterns = [
    path("payments/", views.payment_queue, name="payment_queue"),
    path("payments/batches/<int:pk>/", views.payment_batch, name="payment_batch"),
    path("payments/batches/<int:pk>/approve/", views.approve_batch, name="approve_batch"),
    path("payments/batches/<int:pk>/discard/", views.discard_batch, name="discard_batch"),
    path("payments/batches/<int:pk>/items/<int:item_pk>/result/", views.record_result, name="record_result"),
    path("payments/batches/<int:pk>/result-by-code/", views.record_result_by_code, name="record_result_by_code"),
    path("payments/batches/<int:pk>/file/", views.batch_file_download, name="batch_file"),
]
