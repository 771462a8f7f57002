from ._http import HttpSession


class OrdersAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http


class PositionsAPI(OrdersAPI):
    pass


class TradesAPI(OrdersAPI):
    pass
