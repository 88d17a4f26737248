using System.Net;
using Microsoft.Extensions.Options;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests;

/// <summary>Each test here starts its own resource server, against an IdP that is not there.</summary>
public sealed class StartupTests
{
    private const string UnreachableAuthority = "http://127.0.0.1:1/realms/m2m";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ResourceServer:Audience", "", "Audience")]
    [InlineData("ResourceServer:Authority", "not a url", "ResourceServer:Authority must be an absolute http(s) URL")]
    [InlineData("ResourceServer:Authority", "ftp://idp.example/realms/m2m", "ResourceServer:Authority must be an absolute http(s) URL")]
    [InlineData("ResourceServer:ClockSkew", "00:10:00", "ClockSkew")]
    [InlineData("ResourceServer:MaxTokenSize", "100", "MaxTokenSize")]
    [InlineData("ResourceServer:ValidIssuers:0", "relative/issuer", "ValidIssuers")]
    [InlineData("ResourceServer:RequireHttpsMetadata", "true", "ResourceServer:Authority must use https")]
    [InlineData("ResourceServer:Introspection:CacheDuration", "00:10:00", "ResourceServer:Introspection:CacheDuration")]
    public async Task Bad_resource_server_setting_fails_startup_naming_the_key(string key, string value, string expected)
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => ResourceServerHost.StartAsync(UnreachableAuthority, new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public async Task Introspection_mode_without_a_client_secret_fails_startup_naming_the_key()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => ResourceServerHost.StartAsync(
            UnreachableAuthority, new Dictionary<string, string?> { ["ResourceServer:TokenValidation"] = "Introspection" }));

        Assert.Contains("ResourceServer:Introspection:ClientSecret is required", exception.Message);
    }

    [Fact]
    public async Task Unknown_token_validation_mode_fails_startup_naming_the_key()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => ResourceServerHost.StartAsync(
            UnreachableAuthority, new Dictionary<string, string?> { ["ResourceServer:TokenValidation"] = "Opaque" }));

        Assert.Contains("ResourceServer:TokenValidation", exception.Message);
    }

    [Fact]
    public async Task Health_is_unhealthy_while_the_IdP_metadata_cannot_be_loaded()
    {
        // Nothing listens on this port: the IdP is down.
        await using var host = await ResourceServerHost.StartAsync(UnreachableAuthority);
        using var client = host.CreateClient();

        using var health = await client.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Token_arriving_while_the_IdP_is_unreachable_gets_401_not_500()
    {
        await using var host = await ResourceServerHost.StartAsync(UnreachableAuthority);
        using var client = host.CreateClient();
        var token = TestTokens.Sign(TestTokens.Header(kid: "not-the-test-key"), TestTokens.Claims(UnreachableAuthority), TestTokens.UntrustedKey);

        using var response = await client.SendAsync(Resource.Read("Bearer " + token), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }
}
