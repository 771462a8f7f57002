from ._http import HttpSession


class InstrumentsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http


class MarketAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http
