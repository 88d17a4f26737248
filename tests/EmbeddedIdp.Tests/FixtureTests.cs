using TestSupport;

namespace EmbeddedIdp.Tests;

public sealed class FixtureTests(EmbeddedIdpFixture idp) : IClassFixture<EmbeddedIdpFixture>
{
    [Fact]
    public async Task Fixture_issues_tokens_and_counts_token_requests()
    {
        idp.ResetTokenRequestCount();

        var token = await idp.GetAccessTokenAsync("payments-service", "billing:write", TestContext.Current.CancellationToken);

        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal(1, idp.TokenRequestCount);
        Assert.Equal($"http://127.0.0.1:{idp.BaseAddress.Port}/realms/m2m", idp.Issuer);
    }
}
