app_name = "finops"

urlpatterns = []
