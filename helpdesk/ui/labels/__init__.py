"""The Labels area: choosing a batch, the label stock, the sheet preview page by page, printing or
saving it, and lining a printer up with the stock."""
