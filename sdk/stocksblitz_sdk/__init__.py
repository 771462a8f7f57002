"""StocksBlitz OMS SDK."""
