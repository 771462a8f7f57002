from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def market_watch(request):  # placeholder until the market watch lands
    return render(request, "base.html")


urlpatterns = [path("market/", market_watch, name="market-watch")]
