from ._http import HttpSession


class AlertsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http


class EventHub:
    def __init__(self, http: HttpSession) -> None:
        self._http = http
