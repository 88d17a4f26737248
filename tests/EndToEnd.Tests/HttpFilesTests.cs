using System.Net;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>Each API's <c>.http</c> file, sent top to bottom against the running AppHost as an editor would send it.</summary>
[Collection(AppHostCollection.Name)]
public sealed class HttpFilesTests(AppHostFixture appHost)
{
    [Fact]
    public async Task Payments_http_file_pays_and_reads_the_payment_with_its_invoice()
    {
        var responses = await SendAsync(
            Path.Combine("Payments.Api", "Payments.Api.http"), "payments", "payments-api", "CHECKOUT_SERVICE_SECRET", "checkout-service");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK], responses.Select(r => r.Message.StatusCode));
        Assert.Contains("\"invoice\"", responses[2].Body);
    }

    [Fact]
    public async Task Billing_http_file_creates_and_reads_an_invoice()
    {
        var responses = await SendAsync(
            Path.Combine("Billing.Api", "Billing.Api.http"), "billing", "billing-api", "PAYMENTS_SERVICE_SECRET", "payments-service");

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK],
            responses.Select(r => r.Message.StatusCode));
        Assert.StartsWith("[{", responses[3].Body);
    }

    private async Task<IReadOnlyList<HttpFile.Response>> SendAsync(
        string file, string baseUrlVariable, string resource, string secretVariable, string clientId)
    {
        using var timeout = AppHostFixture.Timeout(TimeSpan.FromSeconds(60));
        var http = HttpFile.Parse(await File.ReadAllTextAsync(RepositoryRoot.Combine(file), timeout.Token));

        // The file's defaults are the demo's fixed ports; this AppHost runs on ports of its own.
        http.Set("issuer", appHost.Issuer);
        http.Set(baseUrlVariable, appHost.UrlOf(resource));

        using var client = new HttpClient();
        var responses = await http.SendAllAsync(client, new Dictionary<string, string> { [secretVariable] = appHost.SecretOf(clientId) }, timeout.Token);
        foreach (var response in responses)
        {
            Assert.True(response.Message.IsSuccessStatusCode, $"{response.Request.Method} {response.Request.Url}: {(int)response.Message.StatusCode} {response.Body}");
            response.Message.Dispose();
        }

        return responses;
    }
}
