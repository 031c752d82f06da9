from django.urls import path

from samraad.counseling import consumers

websocket_urlpatterns = [
    path("ws/chat/", consumers.ChatConsumer.as_asgi()),
    path("ws/console/", consumers.ConsoleConsumer.as_asgi()),
    path("ws/floor/", consumers.FloorConsumer.as_asgi()),
]
