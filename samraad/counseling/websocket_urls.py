from samraad.counseling import consumers

# The chat's sockets by path (samraad/routing.py serves them). Only staff sockets read the session
# cookie (`reads_session`); a young person's socket never looks at a cookie.
websocket_routes: dict[str, type[consumers.Socket]] = {
    "/ws/chat/": consumers.ChatConsumer,
    "/ws/console/": consumers.ConsoleConsumer,
    "/ws/floor/": consumers.FloorConsumer,
}
