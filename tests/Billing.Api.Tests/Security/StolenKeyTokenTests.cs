using System.Net;
using System.Text.Json;
using TestSupport;

namespace Billing.Api.Tests.Security;

/// <summary>
/// Rule 1: a token carrying the IdP's own valid signature is still refused when its claims are wrong. The key is read
/// from the IdP's data folder, exactly what a thief of that folder (or a bug in what the IdP signs) would use.
/// </summary>
public sealed class StolenKeyTokenTests(SecurityFixture fixture) : IClassFixture<SecurityFixture>
{
    // An endpoint that answers 404 for an unknown invoice, so 200/404 mean "authenticated" and 401 "refused".
    private static readonly string Path = $"/invoices?paymentId=pay-{Guid.NewGuid()}";

    [Fact]
    public async Task Well_formed_token_signed_with_the_stolen_key_is_accepted_which_is_why_the_rules_below_matter()
    {
        using var response = await fixture.GetAsync(Path, Sign(Claims()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Lifetime_over_the_one_hour_maximum_is_refused()
    {
        var claims = Claims();
        claims["exp"] = Now + 3601;

        await AssertRefused(Sign(claims), "The token lifetime exceeds the accepted maximum");
    }

    [Fact]
    public async Task Issued_at_in_the_future_beyond_the_clock_skew_is_refused()
    {
        var claims = Claims();
        claims["iat"] = Now + 120;
        claims["exp"] = Now + 400;

        await AssertRefused(Sign(claims), "The token was issued in the future");
    }

    [Theory]
    [InlineData("iss")]
    [InlineData("exp")]
    [InlineData("aud")]
    [InlineData("sub")]
    [InlineData("iat")]
    [InlineData("jti")]
    public async Task Token_without_a_mandatory_RFC_9068_claim_is_refused(string claim)
    {
        var claims = Claims();
        claims.Remove(claim);

        await AssertRefused(Sign(claims));
    }

    [Fact]
    public async Task Token_naming_no_client_is_refused()
    {
        var claims = Claims();
        claims.Remove("client_id");
        claims.Remove("azp");

        await AssertRefused(Sign(claims), "The token names no client (client_id or azp)");
    }

    [Theory]
    [InlineData("client_id")]
    [InlineData("azp")]
    public async Task Either_client_claim_alone_is_enough(string kept)
    {
        var claims = Claims();
        claims.Remove(kept == "azp" ? "client_id" : "azp");

        using var response = await fixture.GetAsync(Path, Sign(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("ID")]
    [InlineData("Refresh")]
    [InlineData("bearer")]
    public async Task Payload_typ_other_than_Bearer_is_refused(string typ)
    {
        var claims = Claims();
        claims["typ"] = typ;

        await AssertRefused(Sign(claims), "The token is not an access token (typ)");
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("iat")]
    [InlineData("nbf")]
    public async Task NumericDate_written_as_a_string_is_refused(string claim)
    {
        var claims = Claims();
        claims[claim] = (claim == "exp" ? Now + 300 : Now - 5).ToString(System.Globalization.CultureInfo.InvariantCulture);

        await AssertRefused(Sign(claims));
    }

    [Fact]
    public async Task Algorithm_other_than_the_one_the_JWKS_publishes_for_the_key_is_refused()
    {
        var (kid, key) = StolenKey();
        var token = TestTokens.SignJson(Json(TestTokens.Header(alg: "PS256", kid: kid)), Json(Claims()), key, alg: "PS256");

        await AssertRefused(token, "The signing algorithm is not the one published for the key");
    }

    [Theory]
    [InlineData("aud", "\"payments-api\"", "\"billing-api\"")]
    [InlineData("aud", "\"billing-api\"", "\"payments-api\"")]
    [InlineData("iss", "\"https://evil.example/realms/m2m\"", null)]
    public async Task Repeated_claim_name_is_refused_whichever_value_comes_first(string claim, string first, string? second)
    {
        var (kid, key) = StolenKey();
        var claims = Claims();
        claims.Remove(claim);
        var body = Json(claims);
        // {"aud":first, ...claims..., "aud":second}: a parser that keeps either value would decide differently.
        var payload = "{\"" + claim + "\":" + first + "," + body[1..^1] + ",\"" + claim + "\":"
            + (second ?? JsonSerializer.Serialize(fixture.Idp.Issuer)) + "}";

        // Refused by our own rule, or by the library when the value it keeps is the foreign one.
        await AssertRefused(TestTokens.SignJson(Json(TestTokens.Header(kid: kid)), payload, key));
    }

    [Fact]
    public async Task Repeated_header_parameter_is_refused()
    {
        var (kid, key) = StolenKey();
        var header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\",\"typ\":\"at+jwt\"}";

        await AssertRefused(TestTokens.SignJson(header, Json(Claims()), key));
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private Dictionary<string, object> Claims() => TestTokens.Claims(fixture.Idp.Issuer, scope: "billing:read");

    private (string Kid, System.Security.Cryptography.RSA Key) StolenKey() => IdpKeyFiles.Read(fixture.Idp.DataPath)[0];

    private string Sign(Dictionary<string, object> claims)
    {
        var (kid, key) = StolenKey();
        return TestTokens.Sign(TestTokens.Header(kid: kid), claims, key);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private async Task AssertRefused(string token, string? description = null)
    {
        using var response = await fixture.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge);
        if (description is not null)
        {
            Assert.Contains($"error_description=\"{description}\"", challenge);
        }
    }
}
