"""Working meetings [mesas de trabajo]: attendance, minutes and agreements, signed by the three seats."""
