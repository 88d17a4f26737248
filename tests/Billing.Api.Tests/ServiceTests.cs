using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Api.Tests.Infrastructure;

namespace Billing.Api.Tests;

[Collection(nameof(BillingApiCollection))]
public sealed class ServiceTests(BillingApiFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_and_alive_answer_anonymously_when_database_and_IdP_are_up()
    {
        using var client = fixture.Api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Ct)).StatusCode);
    }

    [Fact]
    public async Task Scalar_API_reference_is_served_in_Development()
    {
        using var client = fixture.Api.CreateClient();

        using var response = await client.GetAsync("/scalar", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenAPI_document_has_a_client_credentials_scheme_at_the_IdP_and_per_endpoint_scopes()
    {
        using var client = fixture.Api.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);

        var flow = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2")
            .GetProperty("flows").GetProperty("clientCredentials");
        Assert.Equal(fixture.Idp.TokenEndpoint, flow.GetProperty("tokenUrl").GetString());
        Assert.True(flow.GetProperty("scopes").TryGetProperty("billing:read", out _));
        Assert.True(flow.GetProperty("scopes").TryGetProperty("billing:write", out _));

        var paths = document.GetProperty("paths");
        Assert.Equal("billing:write", ScopeOf(paths.GetProperty("/invoices").GetProperty("post")));
        Assert.Equal("billing:read", ScopeOf(paths.GetProperty("/invoices").GetProperty("get")));
        Assert.Equal("billing:read", ScopeOf(paths.GetProperty("/invoices/{id}").GetProperty("get")));

        static string? ScopeOf(JsonElement operation) =>
            operation.GetProperty("security")[0].GetProperty("oauth2")[0].GetString();
    }
}
