using TestSupport.Conformance;

namespace Keycloak.Tests;

// The IdP conformance suite (tests/TestSupport/Conformance), the same classes EmbeddedIdp.Tests runs, pointed at Keycloak.
// Keycloak's documented differences come from KeycloakFixture.Dialect (IdpDialect.Keycloak), asserted exactly, not loosened.

public sealed class DiscoveryOnKeycloakTests(KeycloakFixture keycloak) : DiscoveryConformance(keycloak.RunningOrSkip());

public sealed class TokenOnKeycloakTests(KeycloakFixture keycloak) : TokenConformance(keycloak.RunningOrSkip());

public sealed class TokenErrorOnKeycloakTests(KeycloakFixture keycloak) : TokenErrorConformance(keycloak.RunningOrSkip());

public sealed class TokenExchangeOnKeycloakTests(KeycloakFixture keycloak) : TokenExchangeConformance(keycloak.RunningOrSkip());

public sealed class IntrospectionOnKeycloakTests(KeycloakFixture keycloak) : IntrospectionConformance(keycloak.RunningOrSkip());

[Collection(nameof(KeycloakKeyRotation))]
public sealed class KeyRotationOnKeycloakConformanceTests(KeycloakFixture keycloak) : KeyRotationConformance(keycloak.RunningOrSkip());
