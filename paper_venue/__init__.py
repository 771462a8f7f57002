"""The paper venue: a simulated broker on the simulated market, with its own tables (`models`), its engine
(`venue.PaperVenue`: fills through the book, resting orders, triggers, expiry, funds) and the `Broker` over it
(`broker.PaperBroker`, `oms_project.lib.brokers`' one interface). It never imports the order core: what it did
comes back as values (`BrokerReport.executions`) that the caller feeds to its inbound path."""
