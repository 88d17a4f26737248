var builder = DistributedApplication.CreateBuilder(args);

var idp = builder.AddProject<Projects.EmbeddedIdp>("idp")
    .WithHttpHealthCheck("/health");

var billing = builder.AddProject<Projects.Billing_Api>("billing-api")
    .WithHttpHealthCheck("/health")
    .WaitFor(idp);

builder.AddProject<Projects.Payments_Api>("payments-api")
    .WithHttpHealthCheck("/health")
    .WithReference(billing)
    .WaitFor(billing);

builder.Build().Run();
