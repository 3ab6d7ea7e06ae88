// LeaseInfo's status byte as a guest reads it (README "Fabric memory leases").
export const LeaseState = { Active: 0, Expired: 1, Revoked: 2 } as const;
