"""CityOps Warehouse: data integration for a city operations centre."""

__version__ = "0.1.0"
