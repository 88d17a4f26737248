namespace Keycloak.Tests;

public sealed class KeycloakContainerTests(KeycloakFixture keycloak) : IClassFixture<KeycloakFixture>
{
    private readonly KeycloakFixture _keycloak = keycloak.RunningOrSkip();

    [Fact]
    public void Placeholder() => Assert.NotNull(_keycloak.Issuer);
}
