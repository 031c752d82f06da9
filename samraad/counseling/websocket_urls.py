from channels.auth import AuthMiddlewareStack
from django.urls import path

from samraad.counseling import consumers

# Only staff sockets read the session cookie. A young person's socket never looks at a cookie
# (nothing about them is kept between visits) and holds no session or user object while it
# waits, which is most of its life.
websocket_urlpatterns = [
    path("ws/chat/", consumers.ChatConsumer.as_asgi()),
    path("ws/console/", AuthMiddlewareStack(consumers.ConsoleConsumer.as_asgi())),
    path("ws/floor/", AuthMiddlewareStack(consumers.FloorConsumer.as_asgi())),
]
