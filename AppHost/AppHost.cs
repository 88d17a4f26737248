using AppHost;

var builder = DistributedApplication.CreateBuilder(args)
    .AddDevelopmentCertificateHint();

// One generated secret per realm client: the IdP gets every one of them, each service only its own.
var secrets = new ClientSecrets(builder);

// Keycloak or EmbeddedIdp (setting IdentityProvider); either way pinned to one issuer, the URL the services use.
var idp = builder.AddIdentityProvider("idp", secrets);

var billing = builder.AddProject<Projects.Billing_Api>("billing-api")
    .WithResourceServer(idp)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Payments_Api>("payments-api")
    .WithResourceServer(idp)
    .WithTokenClient("billing", idp, secrets.PaymentsService)
    // No WaitFor(billing): Payments copes with Billing being down (its outbox retries), so both start once the IdP is ready.
    .WithReference(billing)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
