using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>The default <c>BillingAuthorization=ClientCredentials</c>: Payments acts as payments-service and names its caller.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ClientCredentialsModeTests(AppHostFixture appHost)
{
    [Fact]
    public async Task Invoice_is_created_for_the_caller_by_payments_service_with_its_own_token()
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        using var payments = appHost.CreateClient("payments-api");
        using var pay = appHost.NewPayment(11m, "client credentials");
        pay.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("checkout-service", "payments:write", timeout.Token));

        using var response = await payments.SendAsync(pay, timeout.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var invoice = (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("invoice");
        Assert.Equal("checkout-service", invoice.GetProperty("requestedBy").GetString());
        Assert.Equal("payments-service", invoice.GetProperty("actedBy").GetString());
    }
}
