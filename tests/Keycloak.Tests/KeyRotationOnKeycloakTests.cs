using System.Net;
using Billing.Api.Tests.Infrastructure;

namespace Keycloak.Tests;

/// <summary>Rotation changes the key every later token is signed with, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(KeycloakKeyRotation), DisableParallelization = true)]
public sealed class KeycloakKeyRotation;

[Collection(nameof(KeycloakKeyRotation))]
public sealed class KeyRotationOnKeycloakTests(KeycloakFixture keycloak)
{
    private readonly KeycloakFixture _keycloak = keycloak.RunningOrSkip();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_a_rotation_billing_accepts_tokens_signed_with_the_new_key_and_with_the_previous_one()
    {
        var before = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);

        await _keycloak.RotateSigningKeyAsync(Ct);
        var after = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);

        Assert.NotEqual(KidOf(before), KidOf(after));
        // A Billing that loads the JWKS now must find both keys: the new one signs, the previous one still verifies.
        await using var billing = new BillingApiFactory(_keycloak.Issuer);
        using var withNewKey = await BillingApiOnKeycloakTests.SendAsync(billing, Requests.Get("/invoices?paymentId=any", after));
        Assert.Equal(HttpStatusCode.OK, withNewKey.StatusCode);
        using var withPreviousKey = await BillingApiOnKeycloakTests.SendAsync(billing, Requests.Get("/invoices?paymentId=any", before));
        Assert.Equal(HttpStatusCode.OK, withPreviousKey.StatusCode);
    }

    private static string KidOf(string jwt) => Jwt.HeaderOf(jwt).GetProperty("kid").GetString()!;
}
