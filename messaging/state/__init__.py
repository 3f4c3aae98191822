"""State the messaging channels keep between messages: SMS opt-outs, last choices, rate limits."""
