using System.Net;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests;

/// <summary>
/// Where we go beyond JwtBearer's defaults. Each token is signed with the test-only trusted key and differs from
/// an accepted one (the first test) in a single property.
/// </summary>
[Collection(nameof(ResourceServerCollection))]
public sealed class TokenHardeningTests(ResourceServerFixture fixture)
{
    [Theory]
    [InlineData("JWT")]
    [InlineData("at+jwt")]
    public async Task Crafted_token_signed_by_a_trusted_key_is_accepted_with_typ(string typ)
    {
        var token = TestTokens.Sign(TestTokens.Header(typ: typ), Claims());

        Assert.Equal(HttpStatusCode.OK, await StatusWith(token));
    }

    [Theory]
    [InlineData("PS256", TestTokens.TrustedKid)]
    [InlineData("ES256", "test-only-trusted-ec-key")]
    public async Task Other_allowed_algorithms_are_accepted(string alg, string kid)
    {
        var token = TestTokens.Sign(TestTokens.Header(alg: alg, kid: kid), Claims());

        Assert.Equal(HttpStatusCode.OK, await StatusWith(token));
    }

    [Fact]
    public async Task Token_expired_within_the_clock_skew_is_still_accepted()
    {
        var claims = Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds();
        claims["iat"] = DateTimeOffset.UtcNow.AddSeconds(-310).ToUnixTimeSeconds();

        Assert.Equal(HttpStatusCode.OK, await StatusWith(TestTokens.Sign(TestTokens.Header(), claims)));
    }

    [Fact]
    public async Task Token_expired_longer_ago_than_the_30_second_skew_is_rejected()
    {
        var claims = Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(-45).ToUnixTimeSeconds();

        await AssertInvalidToken(TestTokens.Sign(TestTokens.Header(), claims), "The token is expired");
    }

    [Fact]
    public async Task Token_with_a_crit_header_is_rejected()
    {
        var header = TestTokens.Header();
        header["crit"] = new[] { "exp" };

        await AssertInvalidToken(TestTokens.Sign(header, Claims()), "The token lists critical header extensions this service does not support");
    }

    [Theory]
    [InlineData("billing-api/")]
    [InlineData("Billing-Api")]
    [InlineData("billing-api ")]
    public async Task Audience_that_merely_resembles_ours_is_rejected(string audience)
    {
        await AssertInvalidToken(TestTokens.Sign(TestTokens.Header(), Claims(audience: audience)), "The audience is invalid");
    }

    [Fact]
    public async Task Token_listing_our_audience_among_others_is_accepted()
    {
        var token = TestTokens.Sign(TestTokens.Header(), Claims(audience: new[] { "payments-api", "billing-api" }));

        Assert.Equal(HttpStatusCode.OK, await StatusWith(token));
    }

    [Fact]
    public async Task Array_valued_scope_claim_is_rejected()
    {
        var claims = Claims();
        claims["scope"] = new[] { "billing:read" };

        await AssertInvalidToken(TestTokens.Sign(TestTokens.Header(), claims), "The scope claim must be a space-separated string");
    }

    [Theory]
    [InlineData("billing:readx")]
    [InlineData("xbilling:read")]
    [InlineData("billing:read:all")]
    [InlineData("BILLING:READ")]
    [InlineData("billing:read,billing:write")]
    [InlineData("billing:read\tbilling:write")]
    [InlineData("")]
    public async Task Scope_that_only_resembles_the_required_one_gets_403(string scope)
    {
        var token = TestTokens.Sign(TestTokens.Header(), Claims(scope: scope));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusWith(token));
    }

    [Theory]
    [InlineData("billing:read")]
    [InlineData("openid billing:read")]
    [InlineData("billing:write billing:read profile")]
    public async Task Required_scope_anywhere_in_the_list_is_enough(string scope)
    {
        Assert.Equal(HttpStatusCode.OK, await StatusWith(TestTokens.Sign(TestTokens.Header(), Claims(scope: scope))));
    }

    [Fact]
    public async Task Token_without_exp_is_rejected()
    {
        var claims = Claims();
        claims.Remove("exp");

        await AssertInvalidToken(TestTokens.Sign(TestTokens.Header(), claims), "The token has no expiration");
    }

    [Fact]
    public async Task Token_not_valid_before_a_future_time_is_rejected()
    {
        var claims = Claims();
        claims["nbf"] = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeSeconds();

        await AssertInvalidToken(TestTokens.Sign(TestTokens.Header(), claims), "The token is not valid yet");
    }

    [Fact]
    public async Task Token_without_typ_header_is_rejected()
    {
        var header = TestTokens.Header();
        header.Remove("typ");

        await AssertInvalidToken(TestTokens.Sign(header, Claims()), "The token type (typ) is not accepted");
    }

    [Theory]
    [InlineData("at+JWT+x")]
    [InlineData("JOSE")]
    [InlineData("id_token+jwt")]
    public async Task Token_with_another_typ_is_rejected(string typ)
    {
        await AssertInvalidToken(TestTokens.Sign(TestTokens.Header(typ: typ), Claims()), "The token type (typ) is not accepted");
    }

    [Fact]
    public async Task Algorithm_outside_the_allow_list_is_rejected_even_with_a_trusted_key()
    {
        var token = TestTokens.Sign(TestTokens.Header(alg: "RS384"), Claims());

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(token));
    }

    [Fact]
    public async Task Token_without_kid_is_rejected_rather_than_tried_against_every_key()
    {
        var header = TestTokens.Header();
        header.Remove("kid");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(TestTokens.Sign(header, Claims())));
    }

    [Fact]
    public async Task Token_naming_a_trusted_kid_but_signed_by_another_key_is_rejected()
    {
        var token = TestTokens.Sign(TestTokens.Header(), Claims(), TestTokens.UntrustedKey);

        await AssertInvalidToken(token, "The signature is invalid");
    }

    [Fact]
    public async Task Attacker_chosen_claim_values_never_reach_the_challenge_header()
    {
        var claims = Claims(audience: "evil\r\nSet-Cookie: session=1");
        claims["iss"] = "\"quoted\"\r\nissuer";

        using var response = await fixture.SendAsync(Resource.Read("Bearer " + TestTokens.Sign(TestTokens.Header(), claims)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("evil", response.Headers.WwwAuthenticate.ToString());
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    private Dictionary<string, object> Claims(string scope = "billing:read", object? audience = null) =>
        TestTokens.Claims(fixture.Idp.Issuer, scope, audience);

    private async Task<HttpStatusCode> StatusWith(string token)
    {
        using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));
        return response.StatusCode;
    }

    private async Task AssertInvalidToken(string token, string description)
    {
        using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", response.Headers.WwwAuthenticate.ToString());
    }
}
