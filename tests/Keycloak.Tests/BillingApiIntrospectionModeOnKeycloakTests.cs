using System.Net;
using Billing.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Keycloak.Tests;

/// <summary>
/// Billing.Api in introspection mode (<c>ResourceServer:TokenValidation=Introspection</c>, as Keycloak client billing-api)
/// against a real Keycloak: the same answers as in JWT mode, and Keycloak's lightweight tokens, which only introspection can read.
/// </summary>
public sealed class BillingApiIntrospectionModeOnKeycloakTests(KeycloakFixture keycloak) : IAsyncLifetime
{
    private readonly KeycloakFixture _keycloak = keycloak.RunningOrSkip();
    private BillingApiFactory _factory = null!;
    private WebApplicationFactory<Billing.Api.EntryPoint> _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new BillingApiFactory(_keycloak.Issuer);
        _billing = _factory.WithWebHostBuilder(builder => builder
            .UseSetting("ResourceServer:TokenValidation", "Introspection")
            .UseSetting("ResourceServer:Introspection:ClientSecret", _keycloak.SecretOf("billing-api")));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _billing.DisposeAsync();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Keycloak_token_with_billing_read_is_accepted_by_introspection()
    {
        var read = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);

        using var response = await SendAsync(Requests.Get($"/invoices?paymentId=pay-{Guid.NewGuid()}", read));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Keycloak_token_without_billing_write_gets_403_insufficient_scope()
    {
        var read = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);

        using var response = await SendAsync(Requests.CreateInvoice(new { paymentId = "pay-" + Guid.NewGuid(), amount = 1m, currency = "EUR" }, read));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Keycloak_token_for_payments_api_is_not_active_for_billing_api()
    {
        var foreign = await _keycloak.GetAccessTokenAsync("checkout-service", ct: Ct);

        using var response = await SendAsync(Requests.Get($"/invoices?paymentId=pay-{Guid.NewGuid()}", foreign));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var client = _billing.CreateClient();
            return await client.SendAsync(request, Ct);
        }
    }
}
