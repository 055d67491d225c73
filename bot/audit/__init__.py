"""`supportbot audit`: read a ticket history and say what to automate first — which intents the model
already covers, which new topics hide in what it does not, how templated each category's replies are,
and the baseline to compare against after launch."""
