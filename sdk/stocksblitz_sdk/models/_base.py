from pydantic import BaseModel, ConfigDict


class SdkModel(BaseModel):
    """Base of the SDK's typed models: unknown fields are ignored so newer servers don't break old SDKs."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
