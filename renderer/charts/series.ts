/* The series types live with their builder in app/tcp (the service builds them); the charts take them from here. */
export * from '../../app/tcp/series';
