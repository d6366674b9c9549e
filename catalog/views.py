from django.http import HttpResponse


def home(request):
    return HttpResponse("Unfragile")


browse = artifact_detail = category_list = category_detail = claim_placeholder = home
page_not_found = None
