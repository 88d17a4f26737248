using System.Net;
using Microsoft.Extensions.Logging;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests;

[Collection(nameof(ResourceServerCollection))]
public sealed class KeyRefreshAndLoggingTests(ResourceServerFixture fixture)
{
    [Fact]
    public async Task Unknown_kids_trigger_at_most_one_JWKS_refresh()
    {
        // Warm up: the metadata and keys are loaded by the first validated token.
        var valid = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: TestContext.Current.CancellationToken);
        using (var warmUp = await fixture.SendAsync(Resource.Read("Bearer " + valid)))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var before = fixture.Host.Jwks.Count;
        for (var i = 0; i < 10; i++)
        {
            var token = TestTokens.Sign(TestTokens.Header(kid: $"unknown-{i}"), TestTokens.Claims(fixture.Idp.Issuer), TestTokens.UntrustedKey);
            using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.InRange(fixture.Host.Jwks.Count - before, 0, 1);
    }

    [Fact]
    public async Task Rejection_is_logged_with_reason_kid_iss_aud_and_client_id_but_never_the_token()
    {
        var claims = TestTokens.Claims("http://evil.example/realms/m2m");
        claims["client_id"] = "logged-client";
        claims["aud"] = new[] { "billing-api", "x\n[fake] forged log line" };
        var rejected = TestTokens.Sign(TestTokens.Header(kid: TestTokens.TrustedKid), claims);
        var tampered = TestTokens.WithPayload(
            await fixture.Idp.GetAccessTokenAsync("payments-service", ct: TestContext.Current.CancellationToken), payload => payload);
        var tamperedSignature = tampered[..^4] + (tampered.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        fixture.Host.Logs.Clear();

        foreach (var token in new[] { rejected, tamperedSignature, "not-a-jwt-but-secret-looking" })
        {
            using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var records = fixture.Host.Logs.GetSnapshot();
        var rejection = Assert.Single(records, r => r.Message.Contains("iss=http://evil.example/realms/m2m", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, rejection.Level);
        Assert.Contains("The issuer is invalid", rejection.Message);
        Assert.Contains($"kid={TestTokens.TrustedKid}", rejection.Message);
        Assert.Contains("aud=billing-api x?[fake] forged log line", rejection.Message);
        Assert.Contains("client_id=logged-client", rejection.Message);
        Assert.Contains(records, r => r.Message.Contains("The signature is invalid", StringComparison.Ordinal));

        // The authentication handler's own messages ("Bearer was not authenticated …") are covered too.
        Assert.Contains(records, r => r.Category == "ResourceServer.BearerTokenAuthenticationHandler");
        foreach (var record in records.Where(r => r.Category == "ResourceServer.TokenValidation"))
        {
            Assert.DoesNotContain('\n', record.Message);
        }

        foreach (var record in records)
        {
            var text = record.Message + record.Exception;
            foreach (var token in new[] { rejected, tamperedSignature, "not-a-jwt-but-secret-looking" })
            {
                Assert.DoesNotContain(token, text);
                Assert.DoesNotContain(token.Split('.')[^1], text);
            }
        }
    }
}
