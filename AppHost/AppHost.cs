using AppHost;

var builder = DistributedApplication.CreateBuilder(args)
    .AddDevelopmentCertificateHint();

// One generated secret per realm client: the IdP gets every one of them, each service only its own.
var secrets = new ClientSecrets(builder);

// JWTs validated locally (default) or introspection at the IdP (settings TokenValidation, LightweightAccessTokens).
var validation = TokenValidationSettings.From(builder.Configuration);

// Payments' token for Billing: its own client credentials (default) or its caller's token exchanged (setting BillingAuthorization).
var billingAuthorization = builder.Configuration.GetBillingAuthorization();

// Keycloak or EmbeddedIdp (setting IdentityProvider); either way pinned to one issuer, the URL the services use.
var idp = builder.AddIdentityProvider("idp", secrets, validation);

var billing = builder.AddProject<Projects.Billing_Api>("billing-api")
    .WithResourceServer(idp, validation, secrets.BillingApi)
    .WithHttpHealthCheck("/health");

var payments = builder.AddProject<Projects.Payments_Api>("payments-api")
    .WithResourceServer(idp, validation, secrets.PaymentsApi)
    .WithBillingAuthorization(billingAuthorization, idp, secrets)
    // No WaitFor(billing): Payments copes with Billing being down (its outbox retries), so both start once the IdP is ready.
    .WithReference(billing)
    .WithHttpHealthCheck("/health");

// Each service's Scalar page asks the IdP for a token from the browser: the realm lets exactly that page's origin read it.
idp.WithWebOrigin("PAYMENTS_API_ORIGIN", payments)
    .WithWebOrigin("BILLING_API_ORIGIN", billing);

builder.Build().Run();
