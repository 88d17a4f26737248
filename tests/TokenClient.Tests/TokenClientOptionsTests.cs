using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TokenClient.Tests;

/// <summary>The authority and token endpoint are URLs, checked at startup with messages that name the key.</summary>
public sealed class TokenClientOptionsTests
{
    [Theory]
    [InlineData("Authority", "not a url", "TokenClient:billing:Authority must be an absolute http(s) URL.")]
    [InlineData("Authority", "ftp://idp.test/realms/m2m", "TokenClient:billing:Authority must be an absolute http(s) URL.")]
    [InlineData("TokenEndpoint", "/relative/token", "TokenClient:billing:TokenEndpoint must be an absolute http(s) URL.")]
    public async Task Address_that_is_not_an_absolute_http_url_fails_naming_the_key(string key, string value, string expected)
    {
        await using var harness = new TokenManagerHarness(new()
        {
            [$"TokenClient:billing:{key}"] = value,
            ["TokenClient:billing:ClientId"] = "payments-service",
            ["TokenClient:billing:ClientSecret"] = "secret",
            ["TokenClient:billing:RequireHttps"] = "false",
        });

        var error = Assert.Throws<OptionsValidationException>(
            () => harness.Services.GetRequiredService<IOptionsMonitor<TokenClientOptions>>().Get(TokenManagerHarness.Client));

        Assert.Equal(expected, Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Empty_authority_clears_one_set_elsewhere_so_the_token_endpoint_alone_is_used()
    {
        await using var harness = new TokenManagerHarness(new()
        {
            ["TokenClient:billing:Authority"] = "",
            ["TokenClient:billing:TokenEndpoint"] = "http://idp.test/token",
            ["TokenClient:billing:ClientId"] = "payments-service",
            ["TokenClient:billing:ClientSecret"] = "secret",
            ["TokenClient:billing:RequireHttps"] = "false",
        });

        await harness.Tokens.GetTokenAsync(TokenManagerHarness.Client, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new Uri("http://idp.test/token"), harness.Endpoint.LastRequest!.RequestUri);
    }

    [Fact]
    public void Plain_http_is_refused_outside_Development_even_when_asked_for()
    {
        var options = new TokenClientOptions
        {
            TokenEndpoint = new Uri("http://idp.test/token"),
            ClientId = "payments-service",
            ClientSecret = "secret",
            RequireHttps = false,
        };

        var production = new TokenClientOptionsValidator(isDevelopment: false).Validate("billing", options);
        var development = new TokenClientOptionsValidator(isDevelopment: true).Validate("billing", options);

        Assert.Contains("TokenClient:billing:RequireHttps may be false only in Development: outside it, secrets and tokens travel over https only.",
            production.Failures!);
        Assert.True(development.Succeeded);
    }
}
