using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace EndToEnd.Tests;

/// <summary>
/// The AppHost with <c>TokenValidation=Introspection</c> and <c>LightweightAccessTokens=true</c>: tokens without an audience,
/// which both services accept only because they ask the IdP, each as its own client.
/// </summary>
[Collection(IntrospectionAppHostCollection.Name)]
public sealed class IntrospectionModeTests(IntrospectionAppHostFixture appHost)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Checkout_pays_with_a_lightweight_token_and_Payments_creates_the_invoice_with_one()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var payments = appHost.CreateClient("payments-api");
        var token = await appHost.GetAccessTokenAsync("checkout-service", "payments:read payments:write", timeout.Token);

        using var pay = appHost.NewPayment(12.50m);
        pay.Headers.Authorization = AppHostFixture.Bearer(token);
        using var created = await payments.SendAsync(pay, timeout.Token);
        using var read = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
        read.Headers.Authorization = AppHostFixture.Bearer(token);
        using var found = await payments.SendAsync(read, timeout.Token);

        Assert.False(new JsonWebToken(token).TryGetPayloadValue<object>("aud", out _), "the IdP issued a lightweight token");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var payment = await found.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal("Invoiced", payment.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Token_for_Billing_is_refused_by_Payments_after_introspection()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var payments = appHost.CreateClient("payments-api");

        using var pay = appHost.NewPayment(1m);
        pay.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("payments-service", "billing:write", timeout.Token));
        using var response = await payments.SendAsync(pay, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }
}

/// <summary>Its own AppHost, started after the default one (never two at once on a small machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntrospectionAppHostCollection : ICollectionFixture<IntrospectionAppHostFixture>
{
    public const string Name = "AppHost in introspection mode";
}

public sealed class IntrospectionAppHostFixture : AppHostFixture
{
    protected override IEnumerable<string> Settings => ["TokenValidation=Introspection", "LightweightAccessTokens=true"];
}
