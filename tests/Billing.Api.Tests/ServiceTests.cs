using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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

/// <summary>Each test here starts its own Billing.Api (and where needed its own IdP).</summary>
public sealed class StartupTests
{
    private const string UnreachableAuthority = "http://127.0.0.1:1/realms/m2m";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ResourceServer:Audience", "", "Audience")]
    [InlineData("ResourceServer:Authority", "not a url", "Authority")]
    [InlineData("ResourceServer:ClockSkew", "00:10:00", "ClockSkew")]
    [InlineData("ResourceServer:MaxTokenSize", "100", "MaxTokenSize")]
    [InlineData("ResourceServer:ValidIssuers:0", "relative/issuer", "ValidIssuers")]
    [InlineData("ResourceServer:RequireHttpsMetadata", "true", "ResourceServer:Authority must use https")]
    public async Task Bad_resource_server_setting_fails_startup_naming_the_key(string key, string value, string expected)
    {
        // The building block on a plain host, as Billing.Api composes it: when an app fails to start,
        // WebApplicationFactory races its own disposal and may report ObjectDisposedException instead of the cause.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ResourceServer:Authority"] = UnreachableAuthority,
            ["ResourceServer:Audience"] = "billing-api",
            [key] = value,
        });
        builder.AddResourceServer();
        await using var host = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public async Task Health_is_unhealthy_while_the_IdP_metadata_cannot_be_loaded()
    {
        // Nothing listens on this port: the IdP is down.
        await using var factory = new BillingApiFactory(UnreachableAuthority);
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/health", Ct);
        using var alive = await client.GetAsync("/alive", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Token_arriving_while_the_IdP_is_unreachable_gets_401_not_500()
    {
        await using var factory = new BillingApiFactory(UnreachableAuthority);
        using var client = factory.CreateClient();
        var token = TestTokens.Sign(TestTokens.Header(kid: "not-the-test-key"), TestTokens.Claims(UnreachableAuthority), TestTokens.UntrustedKey);

        using var response = await client.SendAsync(Requests.Get("/invoices?paymentId=p", token), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }
}
